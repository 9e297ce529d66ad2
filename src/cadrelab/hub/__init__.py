"""A workshop on JupyterHub: one training server for a province, or a Kubernetes cluster.

``cadrelab workshop hub-config`` writes the hub's configuration from a workshop folder:

* :mod:`~cadrelab.hub.users` — which roster ids can be hub (and Unix) user names;
* :mod:`~cadrelab.hub.auth` — the authenticator: roster ids only, with a password set
  at the first login or a shared workshop code the trainer prints;
* :mod:`~cadrelab.hub.spawn` — the spawner: per-user limits, the trainee's own cases
  and course copy delivered into the home folder before the server starts;
* :mod:`~cadrelab.hub.config` — ``jupyterhub_config.py`` for one server, and the checks
  it runs before the hub starts;
* :mod:`~cadrelab.hub.kubernetes` — the same settings as Zero to JupyterHub values.
"""
