namespace GpuMobileNet.IO;

/// <summary>What a path names once symbolic links are followed. Only <see cref="Regular"/> files have a size that
/// bounds a read: a FIFO blocks until a writer comes, a device such as /dev/zero never ends.</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Other,
}
