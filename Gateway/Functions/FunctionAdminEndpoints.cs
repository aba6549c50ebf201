using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary><c>/admin/functions</c>: register, list, read, update and delete functions.</summary>
internal static class FunctionAdminEndpoints
{
    public static void MapFunctionAdmin(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup(string.Empty).WithTags("Functions");
        admin.MapPost("/functions", (HttpContext context, IGrainFactory grains, IOptions<GatewayOptions> options, IOptions<FunctionLimits> limits) =>
                SaveAsync(context, grains, options.Value, limits.Value, nameFromPath: null))
            .JsonBody<FunctionRegistrationRequest>()
            .WithName("RegisterFunction").WithSummary("Register a function, or update the one registered under its name.");
        admin.MapPut("/functions/{name}", (string name, HttpContext context, IGrainFactory grains, IOptions<GatewayOptions> options, IOptions<FunctionLimits> limits) =>
                SaveAsync(context, grains, options.Value, limits.Value, name))
            .JsonBody<FunctionRegistrationRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("UpdateFunction").WithSummary("Update a registered function.");
        admin.MapGet("/functions", ListAsync).WithName("ListFunctions").WithSummary("Every registered function.");
        admin.MapGet("/functions/{name}", GetAsync).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).WithName("GetFunction").WithSummary("A function, with its endpoints' health and its call statistics.");
        admin.MapDelete("/functions/{name}", DeleteAsync).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).WithName("DeleteFunction").WithSummary("Remove a function.");
    }

    private static async Task<Results<Created<FunctionView>, Ok<FunctionView>, ProblemHttpResult>> SaveAsync(
        HttpContext context, IGrainFactory grains, GatewayOptions options, FunctionLimits limits, string? nameFromPath)
    {
        if (nameFromPath is not null && !Names.IsValidFunctionName(nameFromPath))
        {
            return Problems.Invalid("name", $"The function name must match {Names.FunctionNameRule}.");
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(context, options.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            var (definition, invalid) = FunctionRegistrationReader.Read(document!.RootElement, nameFromPath, limits.DefaultTimeout, limits.MaxTimeout);
            if (invalid is not null)
            {
                return invalid;
            }

            var grain = grains.ReferenceTo<IFunctionGrain>(definition!.Name);
            if (nameFromPath is not null && await grain.GetAsync() is null)
            {
                return Problems.FunctionNotFound(nameFromPath);
            }

            var result = await grain.RegisterAsync(definition);
            if (!result.IsStored)
            {
                // The grain judges the endpoints (egress settings live with the grains); name the field as the body did.
                var refusal = result.Refusal!;
                var field = refusal.Field == RegistrationRefusal.EndpointsField && !document.RootElement.TryGetProperty("endpoints", out _) ? "endpoint" : refusal.Field;
                return Problems.Invalid(field, refusal.Detail);
            }

            var view = FunctionView.From(result.Function!);
            return result.Created ? TypedResults.Created((string?)null, view) : TypedResults.Ok(view);
        }
    }

    private static async Task<Ok<FunctionListView>> ListAsync(IGrainFactory grains)
    {
        var names = await grains.GetGrain<IFunctionRegistryGrain>(0).ListAsync();
        var functions = await Task.WhenAll(names.Select(name => grains.ReferenceTo<IFunctionGrain>(name).GetAsync()));
        var views = functions.OfType<RegisteredFunction>().Select(f => FunctionView.From(f)).ToList();
        return TypedResults.Ok(new FunctionListView(views.Count, views));
    }

    private static async Task<Results<Ok<FunctionView>, ProblemHttpResult>> GetAsync(string name, IGrainFactory grains)
    {
        if (!Names.IsValidFunctionName(name))
        {
            return Problems.Invalid("name", $"The function name must match {Names.FunctionNameRule}.");
        }

        var grain = grains.ReferenceTo<IFunctionGrain>(name);
        var function = await grain.GetAsync();
        if (function is null)
        {
            return Problems.FunctionNotFound(name);
        }

        var status = await grain.GetStatusAsync();
        return TypedResults.Ok(FunctionView.From(function, status));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, IGrainFactory grains)
    {
        if (!Names.IsValidFunctionName(name))
        {
            return Problems.Invalid("name", $"The function name must match {Names.FunctionNameRule}.");
        }

        return await grains.ReferenceTo<IFunctionGrain>(name).DeleteAsync()
            ? TypedResults.NoContent()
            : Problems.FunctionNotFound(name);
    }
}
