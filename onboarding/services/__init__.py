"""Every write of the onboarding app (see STYLE.md): content, assignments,
learning progress, and what beat runs. Import from the submodules."""
