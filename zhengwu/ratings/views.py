def invite(request, token):
    raise NotImplementedError
