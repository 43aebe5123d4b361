using System.Text.RegularExpressions;

namespace ValkeyDashboard.Cluster.Text;

/// <summary>Error messages fit for the page and the log: StackExchange.Redis appends a long diagnostic dump to its messages.</summary>
public static partial class ErrorText
{
    private const int MaxLength = 240;

    public static string Brief(Exception exception) => Brief(exception.Message);

    /// <summary>
    /// At most <paramref name="maxLength"/> characters of what a client sent, for a message or a record that must stay
    /// readable whatever was sent; <paramref name="whenNull"/> when nothing was.
    /// </summary>
    public static string Clip(string? text, int maxLength, string whenNull = "") =>
        text is null ? whenNull : text.Length <= maxLength ? text : text[..maxLength] + "…";

    /// <summary>Keeps the part up to the endpoint ("… on 127.0.0.1:7000") and at most 240 characters.</summary>
    public static string Brief(string message)
    {
        var match = UpToEndpoint().Match(message);
        var text = match.Success ? match.Groups[1].Value : message;
        return text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength - 1), "…");
    }

    [GeneratedRegex(@"^(.*? on [^\s,/]+:\d+)", RegexOptions.Singleline)]
    private static partial Regex UpToEndpoint();
}
