"""Layer 2, the domain, each module over the ones before it:
``people`` < ``meetings`` < ``agenda`` < ``actions`` < ``attendance`` < ``interests``
(the register of interests) < ``minutes``.
"""
