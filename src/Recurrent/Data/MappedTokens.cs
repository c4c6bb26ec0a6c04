using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Recurrent.Data;

/// <summary>
/// A file of token ids (<see cref="TokenIdFile"/>) mapped into memory read-only: <see cref="Tokens"/> reads the file's
/// pages as they are touched, so a corpus larger than the machine's memory can be trained on. The pages are the
/// page cache's: clean, shared between processes mapping the same file, and dropped by the kernel when memory runs short.
/// </summary>
/// <remarks>At most <see cref="int.MaxValue"/> ids (8 GiB of ids, about 10 GB of English text) per file: spans are indexed by int.</remarks>
internal sealed unsafe class MappedTokens : MemoryManager<int>
{
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly int* _ids;
    private readonly int _count;
    private bool _disposed;

    /// <summary>Maps <paramref name="count"/> ids starting <paramref name="offset"/> bytes into <paramref name="path"/>.</summary>
    /// <exception cref="RecurrentException">The file cannot be mapped or is shorter than the ids.</exception>
    internal MappedTokens(string path, long offset, long count)
    {
        if (count > int.MaxValue)
            throw new RecurrentException($"{path} holds {count:N0} token ids; at most {int.MaxValue:N0} can be mapped (split the corpus).");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Token id files are little-endian.");
        Path = path;
        _count = (int)count;
        if (count == 0) return; // an empty file cannot be mapped; nothing to read anyway
        try
        {
            _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
            _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            if (_view.Capacity < offset + count * sizeof(int))
                throw new RecurrentException($"{path} is shorter than the {count:N0} token ids its header announces.");
            byte* start = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            _ids = (int*)(start + _view.PointerOffset + offset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Dispose(true);
            throw new RecurrentException($"Cannot map '{path}': {e.Message}", e);
        }
    }

    /// <summary>The mapped file.</summary>
    public string Path { get; }

    /// <summary>Ids in the file.</summary>
    public int Count => _count;

    /// <summary>The ids, valid until this object is disposed.</summary>
    public ReadOnlyMemory<int> Tokens => Memory;

    public override Span<int> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _count == 0 ? default : new Span<int>(_ids, _count);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)elementIndex > (uint)_count) throw new ArgumentOutOfRangeException(nameof(elementIndex));
        return new MemoryHandle(_ids + elementIndex);
    }

    public override void Unpin() { } // mapped memory does not move

    protected override void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        if (_view is not null && _ids != null) _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _file?.Dispose();
    }
}
