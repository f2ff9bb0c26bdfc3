"""Dutch wording of the Wijkmonitor: sentences, labels, legends and release dates around the numbers.

Depends on `metrics` (the numbers), never the reverse. Layering: loaders → metrics → wording → ui → views.
"""
