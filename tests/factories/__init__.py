"""factory-boy factories for the domain. Build small events quickly; services do the writes."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from matchmaking.models import (
    Event,
    MeetingRequest,
    Organisation,
    Participant,
    Profile,
    Session,
    Table,
)
from matchmaking.services.events import slots_generate


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.SelfAttribute("username")


class EventFactory(factory.django.DjangoModelFactory):
    """One day, 09:00-11:00 and 14:00-15:00 in 20-minute slots, with ``tables`` shared tables."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"event-{n}")
    name = factory.Sequence(lambda n: f"Event {n}")
    timezone = "Africa/Casablanca"
    slot_minutes = 20

    @factory.post_generation
    def days(self, create, extracted, **kwargs):
        if not create:
            return
        days = extracted or [dt.date(2018, 4, 18)]
        for day in days:
            Session.objects.create(event=self, date=day, start=dt.time(9), end=dt.time(11))
            Session.objects.create(event=self, date=day, start=dt.time(14), end=dt.time(15))
        slots_generate(event=self)

    @factory.post_generation
    def tables(self, create, extracted, **kwargs):
        if not create:
            return
        count = 3 if extracted is None else extracted
        for i in range(1, count + 1):
            Table.objects.create(event=self, name=f"T{i:02d}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    organisation = factory.LazyAttribute(lambda o: OrganisationFactory(event=o.event))
    ref = factory.Sequence(lambda n: f"p{n:04d}")
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    kind = Participant.Kind.VISITOR
    languages = factory.LazyFunction(lambda: ["fr", "en"])
    country = "MA"
    user = factory.LazyAttribute(lambda o: UserFactory(username=o.email, email=o.email))

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        if not create:
            return
        values = {"description": "", "offers": [], "needs": [], "sectors": []}
        values.update(kwargs)
        profile = Profile(participant=self, **values)
        profile.refresh_search_text()
        profile.save()


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingRequest

    sender = factory.SubFactory(ParticipantFactory)
    recipient = factory.LazyAttribute(lambda o: ParticipantFactory(event=o.sender.event))
    event = factory.LazyAttribute(lambda o: o.sender.event)
    status = MeetingRequest.Status.ACCEPTED
