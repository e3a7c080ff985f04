"""The förbundsfil's ``finance`` section (shared/spec/finance.md, "Settings"): parse with every error
by its JSON path, write into ``FinanceSettings`` inside the file's transaction, export back.

Numbers are kept as Decimal (stored in the JSON fields as decimal strings); ``settings_of`` gives the
typed settings every import and table reads."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from finsam.interventions.association_file import Section

from . import posts

KEYS = {"display_unit", "equity_cap", "admin_share_max", "municipality_keys", "post_groups", "accounts",
        "objects", "allocation", "history"}
ALLOCATION_INPUTS = ("state_total", "associations", "support_share", "population_share")
HISTORY_KEYS = {"year", "income", "costs", "closing_equity", "total_assets"}
ACCOUNT_RE = re.compile(r"^[0-9]{1,10}\*?$")
OBJECT_RE = re.compile(r"^[0-9A-Za-z_.-]{1,30}$")
MAX_AMOUNT = Decimal(10) ** 13  # the amount columns hold 14 digits before the decimals


def _shown(value):
    text = str(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _decimal(c, where, value, *, minimum=None, maximum=MAX_AMOUNT, integer=False, share=False):
    """A number of the file as Decimal (a JSON number or a string of one), or None after an error."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        c.error(where, "ska vara ett tal.")
        return None
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        c.error(where, f"\"{_shown(value)}\" är inget tal.")
        return None
    if not number.is_finite() or abs(number) >= maximum:
        c.error(where, f"ska vara ett tal mindre än {maximum:,.0f}.".replace(",", " "))
        return None
    if share and not (0 <= number <= 1):
        c.error(where, f"{_shown(value)} är ingen andel: ange ett tal från 0 till 1, t.ex. 0.1 för 10 %.")
        return None
    if minimum is not None and number < minimum:
        c.error(where, f"{_shown(value)} är för litet: minst {minimum}.")
        return None
    if integer and number != number.to_integral_value():
        c.error(where, f"{_shown(value)} ska vara ett heltal.")
        return None
    return int(number) if integer else number


def _year(c, where, value):
    if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
        c.error(where, f"\"{_shown(value)}\" är inget år: ange ett årtal 1990–2100.")
        return None
    return value


def _list(c, where, value):
    if not isinstance(value, list):
        c.error(where, "ska vara en lista ([…]).")
        return []
    return value


def _items(c, where, raw, allowed, required):
    """(JSON path, object) of each item of a list that is an object with allowed keys."""
    for i, row in enumerate(_list(c, where, raw)):
        at = f"{where}[{i}]"
        if c.keys(at, row, allowed, required=required):
            yield at, row


def parse(c, value, context):
    if not c.keys("finance", value, KEYS):
        return {}
    out = {}
    if "display_unit" in value:
        unit = value["display_unit"]
        if unit not in posts.DISPLAY_UNITS:
            c.error("finance.display_unit", f"\"{_shown(unit)}\" är ingen enhet. Tillåtna: tkr, kr.")
        out["display_unit"] = unit
    if "equity_cap" in value:
        out["equity_cap"] = _equity_cap(c, value["equity_cap"])
    if "admin_share_max" in value:
        raw = value["admin_share_max"]
        out["admin_share_max"] = None if raw is None else _decimal(c, "finance.admin_share_max", raw, share=True)
    if "municipality_keys" in value:
        out["municipality_keys"] = _municipality_keys(c, value["municipality_keys"], context)
    if "post_groups" in value:
        out["post_groups"] = _post_groups(c, value["post_groups"])
    if "accounts" in value:
        out["accounts"] = _accounts(c, value["accounts"], context)
    if "objects" in value:
        out["objects"] = _objects(c, value["objects"], context)
    if "allocation" in value:
        out["allocation"] = _allocation(c, value["allocation"])
    if "history" in value:
        out["history"] = _history(c, value["history"])
    return out


def _equity_cap(c, raw):
    where = "finance.equity_cap"
    if raw is None or raw == {}:
        return {}
    if not isinstance(raw, dict) or len(raw) != 1 or not ({"amount", "steps"} & set(raw)):
        c.error(where, "ska vara {\"amount\": belopp} eller {\"steps\": [{\"up_to\": belopp eller null, "
                       "\"share\": andel}, …]}.")
        return {}
    if "amount" in raw:
        amount = _decimal(c, f"{where}.amount", raw["amount"], minimum=0)
        return {"amount": amount}
    steps = []
    previous = None
    for i, step in enumerate(_list(c, f"{where}.steps", raw["steps"])):
        at = f"{where}.steps[{i}]"
        if not c.keys(at, step, {"up_to", "share"}, required=("share",)):
            continue
        up_to = step.get("up_to")
        if up_to is not None:
            up_to = _decimal(c, f"{at}.up_to", up_to, minimum=0)
        elif i != len(raw["steps"]) - 1:
            c.error(f"{at}.up_to", "null (utan övre gräns) får bara stå i det sista steget.")
        if up_to is not None and previous is not None and up_to <= previous:
            c.error(f"{at}.up_to", f"{up_to} ska vara större än föregående stegs gräns {previous}.")
        previous = up_to if up_to is not None else previous
        share = _decimal(c, f"{at}.share", step.get("share"), share=True) if "share" in step else None
        steps.append({"up_to": up_to, "share": share})
    if not steps:
        c.error(f"{where}.steps", "ska ha minst ett steg.")
    return {"steps": steps}


def _municipality_keys(c, raw, context):
    where = "finance.municipality_keys"
    if not isinstance(raw, dict):
        c.error(where, "ska vara ett objekt {\"kommun:<kod>\": andel eller invånare, …}.")
        return {}
    kommuner = sorted(m for m in context.members if m.startswith("kommun:"))
    out = {}
    for code, value in raw.items():
        if code not in kommuner:
            allowed = ", ".join(kommuner) or "förbundet har inga kommuner som medlemmar"
            c.error(f"{where}.{code}", f"\"{_shown(code)}\" är ingen kommun bland förbundets medlemmar. "
                                       f"Tillåtna: {allowed}.")
            continue
        out[code] = _decimal(c, f"{where}.{code}", value, minimum=0)
    if out and all(v is not None for v in out.values()) and sum(out.values()) == 0:
        c.error(where, "nyckeln summerar till 0: ange minst en kommuns andel.")
    return out


def _post_groups(c, raw):
    where = "finance.post_groups"
    if not isinstance(raw, dict):
        c.error(where, "ska vara ett objekt {\"post\": \"grupp\", …}.")
        return {}
    groups = (posts.INDIVID, posts.STRUKTUR, posts.KANSLI)
    out = {}
    for code, group in raw.items():
        if code not in posts.CHANGEABLE_GROUP_POSTS:
            c.error(f"{where}.{code}", f"\"{_shown(code)}\" är ingen post vars grupp kan ändras. Tillåtna: "
                                       f"{', '.join(posts.CHANGEABLE_GROUP_POSTS)}.")
        elif group not in groups:
            c.error(f"{where}.{code}", f"\"{_shown(group)}\" är ingen grupp. Tillåtna: {', '.join(groups)}.")
        else:
            out[code] = group
    return out


def _accounts(c, raw, context):
    where = "finance.accounts"
    out, seen = [], set()
    for at, row in _items(c, where, raw, {"account", "post", "member"}, ("account", "post")):
        account, post, member = row.get("account"), row.get("post"), row.get("member") or ""
        ok = True
        if not isinstance(account, str) or not ACCOUNT_RE.match(account):
            c.error(f"{at}.account", f"\"{_shown(account)}\" är inget konto: siffror, eventuellt med * sist "
                                     "för alla konton som börjar så (t.ex. 46*).")
            ok = False
        elif account in seen:
            c.error(f"{at}.account", f"kontot {account} står två gånger.")
            ok = False
        if post not in posts.BY_CODE:
            c.error(f"{at}.post", f"\"{_shown(post)}\" är ingen post. Tillåtna: {', '.join(posts.CODES)}.")
            ok = False
        elif post == "medlemsbidrag" and member not in context.members:
            c.error(f"{at}.member", f"\"{_shown(member)}\": medlemsbidrag behöver en av förbundets medlemmar "
                                    f"({', '.join(sorted(context.members))}).")
            ok = False
        elif post != "medlemsbidrag" and member:
            c.error(f"{at}.member", "medlem anges bara för posten medlemsbidrag.")
            ok = False
        if ok:
            seen.add(account)
            out.append({"account": account, "post": post, **({"member": member} if member else {})})
    return out


def _objects(c, raw, context):
    where = "finance.objects"
    out, seen = [], set()
    for at, row in _items(c, where, raw, {"object", "intervention"}, ("object",)):
        obj, slug = row.get("object"), row.get("intervention")
        if isinstance(obj, int) and not isinstance(obj, bool):
            obj = str(obj)
        if not isinstance(obj, str) or not OBJECT_RE.match(obj):
            c.error(f"{at}.object", f"\"{_shown(obj)}\" är inget objekt (bokstäver, siffror, högst 30 tecken).")
            continue
        if obj in seen:
            c.error(f"{at}.object", f"objektet {obj} står två gånger.")
            continue
        if slug is not None and slug not in context.interventions:
            c.error(f"{at}.intervention", f"\"{_shown(slug)}\" är ingen av förbundets insatser "
                                          f"({', '.join(sorted(context.interventions))}) eller null.")
            continue
        seen.add(obj)
        out.append({"object": obj, "intervention": slug})
    return out


def _allocation(c, raw):
    where = "finance.allocation"
    out, years = [], set()
    for at, row in _items(c, where, raw, {"year", "ideal_state", *ALLOCATION_INPUTS}, ("year",)):
        year = _year(c, f"{at}.year", row.get("year"))
        if year in years:
            c.error(f"{at}.year", f"året {year} står två gånger.")
        years.add(year)
        item = {"year": year}
        if "ideal_state" in row:
            if set(row) & set(ALLOCATION_INPUTS):
                c.error(at, "ange antingen ideal_state eller de fyra underlagen, inte båda.")
            item["ideal_state"] = _decimal(c, f"{at}.ideal_state", row["ideal_state"], minimum=0)
        else:
            missing = [k for k in ALLOCATION_INPUTS if k not in row]
            if missing:
                c.error(at, f"ange ideal_state eller alla av {', '.join(ALLOCATION_INPUTS)} (saknas: "
                            f"{', '.join(missing)}).")
                continue
            item["state_total"] = _decimal(c, f"{at}.state_total", row["state_total"], minimum=0)
            item["associations"] = _decimal(c, f"{at}.associations", row["associations"], minimum=1,
                                            integer=True, maximum=Decimal(10000))
            item["support_share"] = _decimal(c, f"{at}.support_share", row["support_share"], share=True)
            item["population_share"] = _decimal(c, f"{at}.population_share", row["population_share"], share=True)
        out.append(item)
    return out


def _history(c, raw):
    where = "finance.history"
    out, years = [], set()
    for at, row in _items(c, where, raw, HISTORY_KEYS, ("year", "income", "costs", "closing_equity")):
        year = _year(c, f"{at}.year", row.get("year"))
        if year in years:
            c.error(f"{at}.year", f"året {year} står två gånger.")
        years.add(year)
        item = {"year": year}
        for key in ("income", "costs", "closing_equity", "total_assets"):
            if row.get(key) is not None:
                item[key] = _decimal(c, f"{at}.{key}", row[key], minimum=0 if key != "closing_equity" else None)
            else:
                item[key] = None
        out.append(item)
    return sorted(out, key=lambda r: r["year"] or 0)


# --- storage ---------------------------------------------------------------------------------------

def _stored(value):
    """JSON-ready with Decimals as strings (never floats)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stored(v) for v in value]
    return value


FIELDS = {"display_unit": "display_unit", "equity_cap": "equity_cap", "admin_share_max": "admin_share_max",
          "municipality_keys": "municipality_keys", "post_groups": "post_groups", "accounts": "accounts",
          "objects": "objects_mapping", "allocation": "allocation", "history": "history"}


def write(association, cleaned, summary, context):
    from .services import lock_finance_writes, store_settings

    lock_finance_writes(association.pk)  # one writer of the förbund's settings at a time (get_or_create)
    changed, created = store_settings(association, cleaned)
    if created:
        summary.created.append("Ekonomiinställningar")
    elif changed:
        summary.updated.append("Ekonomiinställningar")
    else:
        summary.unchanged += 1


def _exported(value):
    if isinstance(value, dict):
        return {k: _exported(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exported(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    return value


def export(association):
    from .models import FinanceSettings

    stored = FinanceSettings.objects.filter(association=association).first()
    if stored is None:
        return None
    out = {}
    for key, attr in FIELDS.items():
        value = getattr(stored, attr)
        if key in ("accounts", "objects"):
            out[key] = value  # account and object codes are text ("3511"), never numbers
        else:
            out[key] = _exported(_stored(value))
    return out


SECTION = Section("finance", parse, write, export, order=30)


# --- the typed settings every import and table reads ----------------------------------------------

@dataclass
class Settings:
    display_unit: str = "tkr"
    equity_cap: dict = field(default_factory=dict)
    admin_share_max: Decimal | None = None
    municipality_keys: dict = field(default_factory=dict)  # code -> Decimal share (normalised to sum 1)
    post_groups: dict = field(default_factory=dict)
    accounts: list = field(default_factory=list)
    objects: dict = field(default_factory=dict)  # object -> slug or None
    allocation: dict = field(default_factory=dict)  # year -> dict of Decimals
    history: dict = field(default_factory=dict)  # year -> dict of Decimals or None

    def account(self, code):
        """The mapping of an account: exact match, else the longest prefix ``46*`` that fits; or None
        (remembered per account: a ledger repeats a few hundred accounts over thousands of lines)."""
        cache = self.__dict__.setdefault("_accounts_seen", {})
        if code not in cache:
            cache[code] = self._account(code)
        return cache[code]

    def _account(self, code):
        best, best_length = None, -1
        for row in self.accounts:
            pattern = row["account"]
            if pattern.endswith("*"):
                prefix = pattern[:-1]
                if code.startswith(prefix) and len(prefix) > best_length:
                    best, best_length = row, len(prefix)
            elif pattern == code:
                return row
        return best

    def group_of(self, post):
        return self.post_groups.get(post) or posts.BY_CODE[post].group

    def equity_cap_for(self, member_contributions):
        """The cap of a year whose budgeted member contributions are ``member_contributions``, or None."""
        cap = self.equity_cap
        if "amount" in cap:
            return cap["amount"]
        for step in cap.get("steps", []):
            if step["up_to"] is None or step["up_to"] >= member_contributions:
                return step["share"] * member_contributions
        return None


def _d(value):
    return None if value is None else Decimal(str(value))


def settings_of(association):
    from .models import FinanceSettings

    stored = FinanceSettings.objects.filter(association=association).first()
    if stored is None:
        return Settings()
    cap = stored.equity_cap or {}
    if "amount" in cap:
        cap = {"amount": _d(cap["amount"])}
    elif "steps" in cap:
        cap = {"steps": [{"up_to": _d(s["up_to"]), "share": _d(s["share"])} for s in cap["steps"]]}
    keys = {k: _d(v) for k, v in (stored.municipality_keys or {}).items()}
    total = sum(keys.values())
    keys = {k: v / total for k, v in keys.items()} if total else {}
    return Settings(
        display_unit=stored.display_unit, equity_cap=cap, admin_share_max=stored.admin_share_max,
        municipality_keys=keys, post_groups=dict(stored.post_groups or {}), accounts=list(stored.accounts or []),
        objects={o["object"]: o["intervention"] for o in stored.objects_mapping or []},
        allocation={a["year"]: {k: (_d(v) if k != "year" else v) for k, v in a.items()}
                    for a in stored.allocation or []},
        history={h["year"]: {k: (_d(v) if k != "year" else v) for k, v in h.items()} for h in stored.history or []},
    )
