using System.Net;
using System.Net.Sockets;

namespace Cauchy.Testing;

public static class FreePort
{
    /// <summary>A loopback port the OS picked that was free a moment ago (for servers that accept a port number).</summary>
    public static int Ephemeral()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A free loopback port below Linux's ephemeral range (32768+), for long-lived servers: the OS never hands such a
    /// port to an outgoing connection, so it cannot be taken between this check and the server's bind by a client socket.
    /// </summary>
    public static int OutsideEphemeralRange()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException("No free loopback port between 20000 and 32000.");
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
