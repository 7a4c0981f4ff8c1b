//! Errors as restJson1 sends them: the type in `x-amzn-errortype`, the status of the error
//! shape in the service model, and a body with the shape's members. OIDC's errors carry
//! `error` (the OAuth error code the model documents for each exception) and
//! `error_description`; the portal's carry `message`.

use serde_json::json;

use super::http::Response;

/// An error answer of either service.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
    oauth_code: Option<&'static str>,
}

/// botocore `sso-oidc` 2019-06-10: each exception's `httpStatusCode`, and the value its
/// `error` member documents.
const OIDC: &[(&str, u16, &str)] = &[
    ("AccessDeniedException", 400, "access_denied"),
    (
        "AuthorizationPendingException",
        400,
        "authorization_pending",
    ),
    ("ExpiredTokenException", 400, "expired_token"),
    ("InternalServerException", 500, "server_error"),
    ("InvalidClientException", 401, "invalid_client"),
    (
        "InvalidClientMetadataException",
        400,
        "invalid_client_metadata",
    ),
    ("InvalidGrantException", 400, "invalid_grant"),
    ("InvalidRedirectUriException", 400, "invalid_redirect_uri"),
    ("InvalidRequestException", 400, "invalid_request"),
    ("InvalidScopeException", 400, "invalid_scope"),
    ("SlowDownException", 400, "slow_down"),
    ("UnauthorizedClientException", 400, "unauthorized_client"),
    (
        "UnsupportedGrantTypeException",
        400,
        "unsupported_grant_type",
    ),
];

/// botocore `sso` 2019-06-10: each exception's `httpStatusCode`. `ForbiddenException` is not
/// in the model, but it is what the portal answers GetRoleCredentials for a role the user
/// is not assigned ("No access").
const PORTAL: &[(&str, u16)] = &[
    ("InvalidRequestException", 400),
    ("UnauthorizedException", 401),
    ("ForbiddenException", 403),
    ("ResourceNotFoundException", 404),
    ("TooManyRequestsException", 429),
];

impl ApiError {
    /// An OIDC exception by its model name.
    pub fn oidc(kind: &'static str, description: impl Into<String>) -> ApiError {
        let &(_, status, code) = OIDC
            .iter()
            .find(|(name, _, _)| *name == kind)
            .unwrap_or_else(|| panic!("{kind} is not an sso-oidc exception"));
        ApiError {
            status,
            kind,
            message: description.into(),
            oauth_code: Some(code),
        }
    }

    /// A portal exception by its model name.
    pub fn portal(kind: &'static str, message: impl Into<String>) -> ApiError {
        let &(_, status) = PORTAL
            .iter()
            .find(|(name, _)| *name == kind)
            .unwrap_or_else(|| panic!("{kind} is not an sso exception"));
        ApiError {
            status,
            kind,
            message: message.into(),
            oauth_code: None,
        }
    }

    /// An error outside either model (throttling and 5xx in front of the portal, unknown
    /// paths): the type in the header and a `message`.
    pub fn other(status: u16, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.into(),
            oauth_code: None,
        }
    }

    /// An OIDC exception with another status (a 5xx `InternalServerException`).
    pub fn with_status(mut self, status: u16) -> ApiError {
        self.status = status;
        self
    }

    /// The HTTP answer.
    pub fn response(&self, request_id: &str) -> Response {
        let body = match self.oauth_code {
            Some(code) => json!({"error": code, "error_description": self.message}),
            None => json!({"message": self.message}),
        };
        Response::json(self.status, &body)
            .with_header("x-amzn-errortype", self.kind)
            .with_header("x-amzn-requestid", request_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_the_models() {
        assert_eq!(ApiError::oidc("InvalidClientException", "").status, 401);
        assert_eq!(
            ApiError::oidc("UnauthorizedClientException", "").status,
            400
        );
        assert_eq!(ApiError::oidc("InternalServerException", "").status, 500);
        assert_eq!(ApiError::portal("TooManyRequestsException", "").status, 429);
        assert_eq!(
            ApiError::portal("ResourceNotFoundException", "").status,
            404
        );
    }

    #[test]
    fn oidc_bodies_carry_the_oauth_code() {
        let response = ApiError::oidc("SlowDownException", "poll slower").response("r");
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(
            body,
            json!({"error": "slow_down", "error_description": "poll slower"})
        );
        assert!(response
            .headers
            .contains(&("x-amzn-errortype".into(), "SlowDownException".into())));
    }
}
