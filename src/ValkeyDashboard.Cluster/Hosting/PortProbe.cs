using System.Net;
using System.Net.Sockets;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>Checks that a TCP port can be bound on loopback before a node is started on it.</summary>
public static class PortProbe
{
    /// <summary>True when nothing listens on <paramref name="port"/> at <paramref name="address"/>.</summary>
    public static bool IsFree(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);

        // Valkey binds with SO_REUSEADDR too, so a port held only by TIME_WAIT connections is usable.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(1);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
