"""The REST API (Django REST framework): serializers, thin views, permissions, OpenAPI."""
