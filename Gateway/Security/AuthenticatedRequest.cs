using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// The features the authentication middleware sets for a request its default scheme authenticated (its own class is
/// internal); <see cref="SecurityHostingExtensions.UseGatewaySecurity"/> sets them for the requests it authenticates.
/// </summary>
internal sealed class AuthenticatedRequest(AuthenticateResult result) : IHttpAuthenticationFeature, IAuthenticateResultFeature
{
    private AuthenticateResult? _result = result;
    private ClaimsPrincipal? _user = result.Principal;

    public AuthenticateResult? AuthenticateResult
    {
        get => _result;
        set
        {
            _result = value;
            _user = value?.Principal;
        }
    }

    public ClaimsPrincipal? User
    {
        get => _user;
        set
        {
            // As the middleware's own: a user set by hand no longer matches the stored result.
            _user = value;
            _result = null;
        }
    }
}
