using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SseVirtualization.Gateway.Http;

/// <summary>
/// Turns what a typed body gets wrong into the 400 that names the field (<see cref="Problems.Invalid"/>), the answer
/// the gateway has always given: a value of the wrong type (the serializer's <see cref="JsonException.Path"/>), and the
/// first rule a record breaks (its DataAnnotations attributes and <see cref="IValidatableObject"/>, in order).
/// </summary>
internal static class BodyValidation
{
    /// <summary>Fields named as a whole: an error anywhere inside one of them names the field, not the part.</summary>
    private static readonly HashSet<string> WholeFields = new(StringComparer.Ordinal) { "headers", "tools", "functions", "scopes", "endpoints" };

    /// <summary>Whether a body type carries DataAnnotations attributes, learnt once per type.</summary>
    private static readonly ConcurrentDictionary<Type, bool> HasAttributes = new();

    /// <summary>The first rule <paramref name="body"/> breaks, as a 400 naming the field; null when it keeps them all.</summary>
    /// <remarks>
    /// A record with no attributes (the <c>/invoke</c> body) goes straight to its own <see cref="IValidatableObject.Validate"/>,
    /// which is all <see cref="Validator"/> would run for it, without the validator's per-call reflection: on the
    /// invoke path that was a measurable share of the CPU per call.
    /// </remarks>
    public static ProblemHttpResult? Validate(object body)
    {
        if (!HasAttributes.GetOrAdd(body.GetType(), CarriesAttributes))
        {
            return body is IValidatableObject self && self.Validate(new ValidationContext(body)).FirstOrDefault() is { } broken
                ? Invalid(broken)
                : null;
        }

        var results = new List<ValidationResult>();
        return Validator.TryValidateObject(body, new ValidationContext(body), results, validateAllProperties: true)
            ? null
            : Invalid(results[0]);
    }

    private static ProblemHttpResult Invalid(ValidationResult broken) =>
        Problems.Invalid(WireName(broken.MemberNames.FirstOrDefault() ?? string.Empty), broken.ErrorMessage ?? "The value is not valid.");

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Body records are kept whole: the validator reads the same properties.")]
    private static bool CarriesAttributes(Type type) =>
        type.IsDefined(typeof(ValidationAttribute), inherit: true)
        || type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => p.IsDefined(typeof(ValidationAttribute), inherit: true));

    /// <summary>
    /// The rules of a nested record, named under <paramref name="prefix"/> (<c>health_check.interval</c>), for a parent's
    /// <see cref="IValidatableObject.Validate"/> to yield.
    /// </summary>
    public static IEnumerable<ValidationResult> Nested(object? part, string prefix)
    {
        if (part is null)
        {
            return [];
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(part, new ValidationContext(part), results, validateAllProperties: true);
        return results.Select(r => WireName(r.MemberNames.FirstOrDefault() ?? string.Empty) is var member && (member.Length == 0 || member == prefix)
            ? new ValidationResult(r.ErrorMessage, [prefix])
            : new ValidationResult(r.ErrorMessage, [prefix + "." + member]));
    }

    /// <summary>The 400 for a value the serializer could not read as its field's type.</summary>
    public static ProblemHttpResult WrongType(JsonException error)
    {
        var field = error is Functions.WireFieldJsonException nested ? nested.Field : FieldOf(error.Path);
        return Problems.Invalid(field, field.Length == 0 ? "The request body does not have the expected shape." : $"'{field}' has a value of the wrong type; see the API description (/openapi/v1.json).");
    }

    /// <summary><c>$.health_check.interval</c> to <c>health_check.interval</c>; <c>$.endpoints[2]</c> and <c>$.headers.X</c> to their field.</summary>
    internal static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return string.Empty;
        }

        var field = new StringBuilder();
        foreach (var segment in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Split('[')[0];
            if (name.Length == 0)
            {
                continue;
            }

            field.Append(field.Length == 0 ? string.Empty : ".").Append(name);
            if (WholeFields.Contains(field.ToString()) || segment.Contains('[', StringComparison.Ordinal))
            {
                break;
            }
        }

        return field.ToString();
    }

    /// <summary>
    /// An attribute names the C# property (<c>MaxConcurrency</c>): the wire calls it <c>max_concurrency</c>. A rule of
    /// a record's own <see cref="IValidatableObject.Validate"/> already names the wire field, in lower case.
    /// </summary>
    private static string WireName(string member) =>
        member.Length > 0 && char.IsUpper(member[0]) ? JsonNamingPolicy.SnakeCaseLower.ConvertName(member) : member;
}
