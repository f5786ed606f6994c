"""The commands apart from the pipeline: each calls the pipeline, and the pipeline never imports them."""
