using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Recurrent.Tests.Data.Datasets;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port) that serves fixed byte arrays by path, one request per
/// connection. Bounded: every connection has a read timeout, and disposing stops the listener and waits for the loop.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public LoopbackHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>When set, responses announce this many extra bytes in Content-Length and then close early (a cut download).</summary>
    public int TruncateBy { get; set; }

    public Uri Serve(string path, byte[] content)
    {
        lock (_files) _files[path] = content;
        return new Uri($"http://127.0.0.1:{Port}{path}");
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { return; }
            catch (ObjectDisposedException) { return; }
            using (client)
            {
                try { await Handle(client); }
                catch (IOException) { }
                catch (OperationCanceledException) { }
            }
        }
    }

    private async Task Handle(TcpClient client)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        NetworkStream stream = client.GetStream();
        var request = new StringBuilder();
        var buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n"))
        {
            int n = await stream.ReadAsync(buffer, timeout.Token);
            if (n == 0) return;
            request.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        Interlocked.Increment(ref _requests);
        string[] requestLine = request.ToString().Split("\r\n")[0].Split(' ');
        string path = requestLine.Length > 1 ? requestLine[1] : "/";
        byte[]? body;
        lock (_files) _files.TryGetValue(path, out body);
        if (body is null)
        {
            byte[] notFound = Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(notFound, timeout.Token);
            return;
        }
        byte[] head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length + TruncateBy}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(head, timeout.Token);
        await stream.WriteAsync(body, timeout.Token);
        await stream.FlushAsync(timeout.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
