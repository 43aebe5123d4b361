using System.Text.RegularExpressions;
using AngleSharp.Dom;

namespace ValkeyDashboard.Components.Tests;

/// <summary>An element's text as a reader sees it: runs of whitespace (from markup line breaks) read as one space.</summary>
internal static partial class MarkupText
{
    public static string Text(this IElement element) => Whitespace().Replace(element.TextContent, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
