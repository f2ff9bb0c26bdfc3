"""Wijkmonitor Veerkrachtige Wijken — the use cases and the one composition root.

Everything that puts the layers together lives here: the app (``app.py``/``views``), the command line
(``python -m wijkmonitor …``) and the tests call these functions; the layers below (``loaders`` → ``metrics`` →
``wording`` → ``models`` → ``charts`` → ``ui``/``reports``) take what they need as arguments and never import
this package. A use case cannot forget a step: every write that changes statistics recomputes the metric store
(:func:`metrics.store.compute_into`) in the same transaction.
"""
