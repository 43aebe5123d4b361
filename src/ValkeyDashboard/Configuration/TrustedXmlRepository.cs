using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard;

/// <summary>
/// The data-protection key ring in <c>Dashboard:KeysDirectory</c>, read only from files the dashboard's user alone owns
/// and may write: a key another user planted or could change would let them sign sign-in cookies and antiforgery
/// tokens. New keys are written owner-only (the process's umask).
/// </summary>
internal sealed class TrustedXmlRepository(DirectoryInfo directory, ILoggerFactory loggers) : FileSystemXmlRepository(directory, loggers)
{
    public override IReadOnlyCollection<XElement> GetAllElements()
    {
        PrivateFiles.CheckTrusted(Directory.FullName, "data-protection key folder");
        if (Directory.Exists)
        {
            foreach (var key in Directory.EnumerateFiles("*.xml"))
            {
                PrivateFiles.CheckTrusted(key.FullName, "data-protection key");
            }
        }

        return base.GetAllElements();
    }
}
