using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Tests.Security;

public sealed class CallerAccessTests
{
    private static CallerAccess Access(Action<SecurityOptions>? configure = null)
    {
        var options = new SecurityOptions();
        configure?.Invoke(options);
        return new CallerAccess(new StaticOptions(options));
    }

    private static DefaultHttpContext From(string address, ClaimsPrincipal? user = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (user is not null)
        {
            context.User = user;
        }

        return context;
    }

    private static ClaimsPrincipal Token(string clientId, string scope) =>
        new(new ClaimsIdentity([new Claim("sub", clientId), new Claim("scope", scope)], "Bearer"));

    private static int? StatusOf(IResult? result) => (result as ProblemHttpResult)?.StatusCode;

    [Theory]
    [InlineData("127.0.0.1", null)]
    [InlineData("::1", null)]
    [InlineData("10.0.0.5", 403)]
    [InlineData("203.0.113.9", 403)]
    public void Without_api_keys_admin_and_invoke_answer_only_on_loopback(string address, int? status)
    {
        var access = Access();

        Assert.Equal(status, StatusOf(access.ForAdmin(From(address))));
        Assert.Equal(status, StatusOf(access.ForInvoke(From(address), "f", "c")));
    }

    [Fact]
    public void With_api_keys_an_anonymous_caller_is_asked_to_authenticate_even_on_loopback()
    {
        var access = Access(o => o.ApiKeys.Add(new ApiKeyEntry { Name = "k", Hash = ApiKeyHash.Format("secret"), Role = "admin" }));

        Assert.Equal(401, StatusOf(access.ForAdmin(From("127.0.0.1"))));
        Assert.Equal(401, StatusOf(access.ForInvoke(From("127.0.0.1"), "f", null)));
    }

    [Fact]
    public void A_token_with_a_wildcard_scope_invokes_any_function_for_its_own_client_only()
    {
        var access = Access();
        var user = Token("alice", "stream invoke:*");

        Assert.Null(access.ForInvoke(From("10.0.0.5", user), "anything", "alice"));
        Assert.Equal(403, StatusOf(access.ForInvoke(From("10.0.0.5", user), "anything", "bob")));
        Assert.Equal(403, StatusOf(access.ForAdmin(From("127.0.0.1", user))));
    }

    [Fact]
    public void Streams_are_open_until_tokens_can_be_validated_then_need_one()
    {
        Assert.Null(Access().ForStream(From("10.0.0.5"), "alice", out _));

        var secured = Access(o => o.Tokens.SigningKey = Convert.ToBase64String(new byte[32]));
        Assert.Equal(401, StatusOf(secured.ForStream(From("127.0.0.1"), "alice", out _)));
        Assert.Null(secured.ForStream(From("10.0.0.5", Token("alice", "stream")), "alice", out _));

        var switchedOff = Access(o => (o.Tokens.SigningKey, o.RequireClientTokens) = (Convert.ToBase64String(new byte[32]), false));
        Assert.Null(switchedOff.ForStream(From("10.0.0.5"), "alice", out _));
    }

    private sealed class StaticOptions(SecurityOptions value) : IOptionsMonitor<SecurityOptions>
    {
        public SecurityOptions CurrentValue => value;

        public SecurityOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SecurityOptions, string?> listener) => null;
    }
}
