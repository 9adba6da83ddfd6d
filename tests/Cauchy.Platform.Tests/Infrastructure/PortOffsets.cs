using System.Net;
using System.Net.Sockets;

namespace Cauchy.Platform.Tests.Infrastructure;

/// <summary>
/// Picks CAUCHY_PORT_OFFSET values for test platforms: every gRPC and HTTP port they shift to must be free on
/// loopback. The candidates put the ports at 61051 and above, outside Linux's default ephemeral range
/// (32768-60999), so that outgoing connections of other programs do not take them between the check and the start.
/// </summary>
public static class PortOffsets
{
    private static readonly int[] Candidates = [11000, 11200, 11400, 11600, 11800, 12000, 12200, 12400, 12600, 12800, 13000];
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Handed = [];

    /// <summary>An offset whose ten ports are free now and that no other test of this run was given.</summary>
    public static int PickFree()
    {
        lock (Gate)
        {
            foreach (var offset in Candidates)
            {
                if (!Handed.Contains(offset) && PortsOf(offset).All(IsFree))
                {
                    Handed.Add(offset);
                    return offset;
                }
            }
        }

        throw new InvalidOperationException($"no free port range for a test platform; tried offsets {string.Join(", ", Candidates)}");
    }

    public static IEnumerable<int> PortsOf(int offset) =>
        PlatformService.All.SelectMany(s => new[] { s.DefaultGrpcPort + offset, s.DefaultGrpcPort + offset + 1000 });

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            listener.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>True when something accepts TCP connections on 127.0.0.1:port.</summary>
    public static bool IsListening(int port)
    {
        try
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
