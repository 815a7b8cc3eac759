"""The pages of the programmes app, one module per aggregate: programmes, villages and child
cases (``programmes``), the field app (``field``), licences and formalisation (``licences``),
training and local staff (``training``)."""
