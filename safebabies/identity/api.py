"""/api/v1/auth/token/: bearer tokens for the API (sign in, sign out)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from safebabies.identity.auth import BearerTokenAuthentication
from safebabies.identity.services import (
    SecondFactorNeeded,
    SignInRefused,
    token_issue,
    token_revoke,
)

# --- Sign-in ----------------------------------------------------------------------------------


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents `Authorization: Bearer <token>` in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 - not a password
        )


class TokenRequestSerializer(serializers.Serializer):
    """The credentials of a sign-in; `otp` for an account with two-factor sign-in."""

    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The 6-digit code of the authenticator app, or a recovery code (two-factor).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Bearer <token>`.")
    expires_at = serializers.DateTimeField()


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenView(APIView):
    """POST signs in and returns a bearer token; DELETE revokes the token it is called with."""

    authentication_classes = [BearerTokenAuthentication]

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: TokenSerializer,
            400: OpenApiResponse(
                RefusalSerializer,
                description="Wrong e-mail or password, or a second factor (`otp`) is needed.",
            ),
            429: OpenApiResponse(RefusalSerializer, description="Too many attempts: paused."),
        },
        auth=[],
    )
    def post(self, request):
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        try:
            issued = token_issue(request=request._request, **credentials.validated_data)
        except SignInRefused:
            return Response({"detail": SignInRefused.MESSAGE}, status=status.HTTP_400_BAD_REQUEST)
        except SecondFactorNeeded as refusal:
            message = refusal.message_dict["otp"][0]
            return Response(
                {"detail": message, "otp": [message]}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(
            TokenSerializer({"token": issued.raw, "expires_at": issued.token.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        token_revoke(token=request.auth, actor=request.user, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
