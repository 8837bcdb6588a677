from __future__ import annotations

from typing import Any

from django import forms

from notifications.kinds import KINDS


class PreferencesForm(forms.Form):
    """One checkbox per registered kind: send me this by e-mail."""

    def __init__(self, *args: Any, current: dict[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, kind in sorted(KINDS.items()):
            self.fields[key] = forms.BooleanField(
                label=kind.label, required=False, initial=current.get(key, kind.email_default)
            )
