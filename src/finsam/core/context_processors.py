from finsam.tenancy.permissions import CAPABILITIES


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = getattr(request, "access", None)
    return {
        "association": getattr(request, "association", None),
        "access": access,
        # {% if can.manage_users %} in templates; the decision itself stays in permissions.py.
        "can": {name: access.can(name) for name in CAPABILITIES} if access else {},
    }
