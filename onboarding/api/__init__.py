"""The onboarding API: serializers, views and their URLs."""
