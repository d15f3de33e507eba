"""Maintainers' tools that work on the repository, not on a user's project: the casebook runner
(``python -m tools.casebook``) and the generator of ``docs/`` (``python -m tools.docs``).

They live outside the ``advisor`` package because they read and write folders of the checkout
(``tests/casebook/``, ``docs/``) that an installed wheel does not have.
"""
