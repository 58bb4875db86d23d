from django.shortcuts import render


def home(request):
    """What do I need to do? The person's own proposals, check-ins and pairings."""
    return render(request, "pairing/home.html")
