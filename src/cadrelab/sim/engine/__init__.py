"""The event model: time frame (``clock``), what each replication draws (``draw``), step kinds
(``steps``) and the officers pulling work from role queues (``office``)."""
