from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination

from matchmaking.exceptions import InvalidInput


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        """``page_size`` as asked, up to ``max_page_size``; one that is not a whole number from 1
        is refused (before, it gave 50 rows in silence, as if it had not been sent)."""
        given = request.query_params.get(self.page_size_query_param)
        if given is not None:
            text = given.strip()
            if not (text.isascii() and text.isdigit() and len(text) < 10 and int(text) >= 1):
                raise InvalidInput(
                    _(
                        "page_size must be a whole number from 1 (pages hold %(most)s at most), "
                        "not %(given)s."
                    )
                    % {"most": self.max_page_size, "given": repr(given[:20])},
                    field="page_size",
                )
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        """``page`` as asked: a whole number from 1 (or ``last``); anything else (``abc``, ``0``,
        ``-1``) is refused with 400 naming it, as ``page_size`` is. A page past the last one
        answers DRF's 404 "Invalid page." (the page does not exist; the number is fine)."""
        given = request.query_params.get(self.page_query_param)
        if given is not None and given.strip() not in self.last_page_strings:
            text = given.strip()
            if not (text.isascii() and text.isdigit() and len(text) < 10 and int(text) >= 1):
                raise InvalidInput(
                    _("page must be a whole number from 1, not %(given)s.")
                    % {"given": repr(given[:20])},
                    field="page",
                )
            return text
        return super().get_page_number(request, paginator)
