"""Thin Faust agents, one per stage; each decodes, calls a stage module and sends results."""
