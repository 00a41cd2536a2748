from django.core.management.base import BaseCommand

from matchmaking.management import encoder_or_fail, event_or_fail
from matchmaking.services.recommendations import ranker_learn


class Command(BaseCommand):
    help = (
        "Learn the event's ranking weights from accepted / declined / expired requests and "
        "the people participants saved or hid; they are used only if they beat the unlearned "
        "ranker on held-out participants."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")

    @encoder_or_fail
    def handle(self, *args, slug, **options):
        event = event_or_fail(slug)
        report = ranker_learn(event=event)
        marks = report.get("marks", 0)
        self.stdout.write(
            f"{report.get('labels', 0)} labels: {report.get('labels', 0) - marks} answered "
            f"requests, {marks} people saved or hidden."
        )
        if "auc_model" in report:
            self.stdout.write(
                f"Held-out: AUC learned {report['auc_model']:.3f} vs unlearned "
                f"{report['auc_baseline']:.3f}; NDCG@10 {report['ndcg_model']:.3f} vs "
                f"{report['ndcg_baseline']:.3f} ({report['n_test']} test pairs)."
            )
        if report.get("accepted"):
            self.stdout.write(self.style.SUCCESS(f"Learned weights in use: {report['weights']}"))
        else:
            reason = report.get("reason", "it did not beat the unlearned ranker")
            self.stdout.write(f"Keeping the tuned weights: {reason}.")
