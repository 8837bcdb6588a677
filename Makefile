# The two commands a newcomer needs; everything else is in the README.
.PHONY: run test lint bench clean

run:            ## Run the portal (web + worker + beat) with embedded defaults and demo data
	bin/run

test:           ## Install what tests need, lint, type-check and run the whole suite
	bin/test

lint:
	bin/bootstrap requirements-dev.txt
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench:          ## Load 1M ideas into ideaportal_bench (once), run every scenario, write docs/benchmarks.md
	bench/run

clean:
	rm -rf var staticfiles .pytest_cache .mypy_cache .ruff_cache
