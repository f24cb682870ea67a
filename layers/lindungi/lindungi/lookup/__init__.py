"""The read side: one worker's story as the tables hold it, for operators (``python -m lindungi worker``) and the
staff portal. Reads only; never writes."""
