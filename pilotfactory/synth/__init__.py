"""Stage 5, synth: build the cdktf app into a scratch folder and swap it in (build), guardrails on every stack first (guard), the per-stack content-digest cache (cache)."""
