"""Red flags in the app: ``gather`` reads an organisation's records into the plain rows the
pure rules (``risk.flags``) read; ``services`` recomputes and keeps the flags; ``views`` shows
them."""
