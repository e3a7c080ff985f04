import logging, time, sys
from common import *  # noqa: F403
logging.disable(logging.CRITICAL)
from finsam.reports.models import PublishedReport
a = client("analytiker@exempelstad.se")
INS = ['aktivitetsplatsen', 'finsam-team', 'ips-psykos', 'novum']
plan = [
  ("Årsredovisning 2024", "2024-01-01", "2024-12-31", []),
  ("Halvår 2024", "2024-01-01", "2024-06-30", []),
  ("H2 2024", "2024-07-01", "2024-12-31", []),
  ("Årsredovisning 2023", "2023-01-01", "2023-12-31", []),
  ("Halvår 2023", "2023-01-01", "2023-06-30", []),
] + [(f"{s} 2024", "2024-01-01", "2024-12-31", [s]) for s in INS] + [
  ("Helår 2023-2024", "2023-01-01", "2024-12-31", []),
  ("Aktivitetsplatsen H1 2024", "2024-01-01", "2024-06-30", ["aktivitetsplatsen"]),
  ("Q2-Q3 2024", "2024-04-01", "2024-09-30", []),
  ("Hela tiden", "2022-01-01", "2024-12-31", []),
  ("Två insatser 2024", "2024-01-01", "2024-12-31", ["novum", "ips-psykos"]),
]
for title, f, t, ins in plan:
    t0 = time.time()
    resp = a.post("/exempelstad/rapporter/publicera/", {"title": title, "date_from": f, "date_to": t, "interventions": ins})
    print(resp.status_code, title, round(time.time() - t0, 2), resp.get("Location"))
    if resp.status_code != 302:
        print(resp.content.decode()[:3000])
