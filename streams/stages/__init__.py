"""The stage logic the pipeline's steps call (streams/pipeline.py): intake, the story step, the
alert decision and dead letters. No Faust imports here; the heavier machinery each calls
lives in its own package (extraction, stories, merging, delivery)."""
