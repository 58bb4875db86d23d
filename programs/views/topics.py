"""The topic picker's suggestions (static/js/topic-picker.js), for every signed-in person:
the topic names are the organisation's, listed on every enrolment form anyway."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from programs import selectors
from programs.models import Topic

# A longer text names no topic (the name's own limit): nothing to look up.
MAX_QUERY = Topic._meta.get_field("name").max_length


@require_GET
def topic_suggest(request):
    text = request.GET.get("q", "")[:MAX_QUERY]
    return JsonResponse(selectors.topic_suggestions(text=text))
