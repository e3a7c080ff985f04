"""What the surveys app registers with the rest of the system (called from AppConfig.ready)."""


def register_all():
    pass
