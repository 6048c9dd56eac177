"""Evaluation: the evaluate command, probes, the shape probe, baselines and smoothing reports
(the metrics themselves live in ``gtrs.metrics``). Layer: above train; imports train and below."""
