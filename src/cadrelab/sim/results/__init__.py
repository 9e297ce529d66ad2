"""What a run reports: the metric registry (``metrics``), figures computed from records
(``figures``), intervals (``stats``) and replications with paired comparisons."""
