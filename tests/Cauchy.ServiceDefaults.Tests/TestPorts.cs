using System.Net;
using System.Net.Sockets;

namespace Cauchy.ServiceDefaults.Tests;

public static class TestPorts
{
    /// <summary>A loopback port that was free a moment ago (the OS picks it, so parallel tests rarely collide).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
