def citizen(request):
    return {"citizen": getattr(request, "citizen", None)}
