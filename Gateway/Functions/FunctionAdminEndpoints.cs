using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary><c>/admin/functions</c>: register, list, read, update and delete functions.</summary>
internal static class FunctionAdminEndpoints
{
    public static void MapFunctionAdmin(this IEndpointRouteBuilder admin)
    {
        admin.MapPost("/functions", (HttpContext context, IGrainFactory grains, IOptions<GatewayOptions> options, IOptions<FunctionLimits> limits) =>
            SaveAsync(context, grains, options.Value, limits.Value, nameFromPath: null));
        admin.MapPut("/functions/{name}", (string name, HttpContext context, IGrainFactory grains, IOptions<GatewayOptions> options, IOptions<FunctionLimits> limits) =>
            SaveAsync(context, grains, options.Value, limits.Value, name));
        admin.MapGet("/functions", ListAsync);
        admin.MapGet("/functions/{name}", GetAsync);
        admin.MapDelete("/functions/{name}", DeleteAsync);
    }

    private static async Task<IResult> SaveAsync(
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

            var grain = grains.GetGrain<IFunctionGrain>(definition!.Name);
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

            var status = result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
            return JsonResults.Write(status, writer => FunctionJson.Write(writer, result.Function));
        }
    }

    private static async Task<IResult> ListAsync(IGrainFactory grains)
    {
        var names = await grains.GetGrain<IFunctionRegistryGrain>(0).ListAsync();
        var functions = await Task.WhenAll(names.Select(name => grains.GetGrain<IFunctionGrain>(name).GetAsync()));
        return JsonResults.Write(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("count", functions.Count(f => f is not null));
            writer.WriteStartArray("functions");
            foreach (var function in functions)
            {
                if (function is not null)
                {
                    FunctionJson.Write(writer, function);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> GetAsync(string name, IGrainFactory grains)
    {
        if (!Names.IsValidFunctionName(name))
        {
            return Problems.Invalid("name", $"The function name must match {Names.FunctionNameRule}.");
        }

        var grain = grains.GetGrain<IFunctionGrain>(name);
        var function = await grain.GetAsync();
        if (function is null)
        {
            return Problems.FunctionNotFound(name);
        }

        var status = await grain.GetStatusAsync();
        return JsonResults.Write(StatusCodes.Status200OK, writer => FunctionJson.Write(writer, function, status));
    }

    private static async Task<IResult> DeleteAsync(string name, IGrainFactory grains)
    {
        if (!Names.IsValidFunctionName(name))
        {
            return Problems.Invalid("name", $"The function name must match {Names.FunctionNameRule}.");
        }

        return await grains.GetGrain<IFunctionGrain>(name).DeleteAsync()
            ? TypedResults.NoContent()
            : Problems.FunctionNotFound(name);
    }
}
