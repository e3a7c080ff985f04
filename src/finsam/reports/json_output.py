import json


def render(report):
    return json.dumps(report.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
