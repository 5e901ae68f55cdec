from oauth2_provider.oauth2_validators import OAuth2Validator

# What the identity provider has verified about each person (实名核验): name, 身份证号, phone.
PEOPLE = {
    "zhangsan": {"name": "张三", "id_number": "11010519491231002X", "phone_number": "13812345678"},
    "lisi": {"name": "李四", "id_number": "not-a-valid-id", "phone_number": "13900000000"},
}


class Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "id_number": "profile", "phone_number": "phone"}

    def get_additional_claims(self, request):
        return dict(PEOPLE.get(request.user.username, {"name": request.user.username}))
