using System.Runtime.InteropServices;
using System.Text;

namespace Recurrent.Training;

/// <summary>
/// Writes files so that a reader (or a later run after a crash) sees either the old file or the whole new one:
/// the bytes go to a temporary file in the same folder, which is flushed to disk and renamed over the target;
/// then the folder itself is flushed, so that the rename survives a power cut.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Writes <paramref name="contents"/> as UTF-8 (no byte-order mark).</summary>
    public static void WriteAllText(string path, string contents) =>
        Write(path, stream =>
        {
            byte[] bytes = new UTF8Encoding(false).GetBytes(contents);
            stream.Write(bytes);
        });

    /// <summary>Writes what <paramref name="write"/> puts in the stream.</summary>
    /// <exception cref="RecurrentException">The file cannot be written (no space, no permission…); the old file is untouched.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
            FlushFolder(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (Exception) { /* the original error matters more */ }
            throw new RecurrentException($"Cannot write '{full}': {e.Message}", e);
        }
    }

    /// <summary>Flushes a folder's entries (a rename) to disk; a no-op where folders cannot be opened (Windows).</summary>
    public static void FlushFolder(string folder)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = Open(folder, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { _ = Fsync(fd); }
        finally { _ = Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
