// Byte blocks for the cache's entries, outside the JavaScript heap. Each entry's key and answer go
// in one block of a size class (64, 96, 128, 192, ... bytes: at most a third of a block unused),
// carved from chunks allocated once and reused through a free list per class. A unique miss so
// leaves nothing behind for the garbage collector: as a key string and a Buffer per entry, the
// new entries were most of what each scavenge copied and each major GC marked, and those pauses
// are what every query waiting at that moment sits through (the p99 latency).

/** Blocks are numbered within their class; a handle is `number * classCount + class`. */
const classSizes: readonly number[] = (() => {
  const sizes: number[] = [];
  for (let size = 64; size <= 256 * 1024; size *= 2) sizes.push(size, size * 1.5);
  return sizes;
})();
const classCount = classSizes.length;
/** Each chunk holds this many bytes of blocks, or one block when a block is larger. */
const chunkBytes = 256 * 1024;

interface SizeClass {
  readonly blockSize: number;
  readonly blocksPerChunk: number;
  readonly chunks: Buffer[];
  /** Numbers of the blocks not in use. */
  readonly free: number[];
}

export class BlockStore {
  private readonly classes: SizeClass[] = classSizes.map((blockSize) => ({
    blockSize,
    blocksPerChunk: Math.max(1, Math.floor(chunkBytes / blockSize)),
    chunks: [],
    free: [],
  }));
  /** Bytes of all chunks allocated so far (they are kept for reuse, never given back). */
  reservedBytes = 0;

  /** The largest block there is: an entry must fit it. */
  static readonly maxBlockBytes = classSizes[classCount - 1]!;

  /** A block of at least `size` bytes; its handle. */
  allocate(size: number): number {
    let index = 0;
    while (classSizes[index]! < size) {
      if (++index === classCount) throw new RangeError(`a cache block of ${size} bytes is larger than the largest (${BlockStore.maxBlockBytes})`);
    }
    const sizeClass = this.classes[index]!;
    if (sizeClass.free.length === 0) this.addChunk(sizeClass);
    return sizeClass.free.pop()! * classCount + index;
  }

  release(handle: number): void {
    this.classes[handle % classCount]!.free.push(Math.floor(handle / classCount));
  }

  /** The chunk a block lies in (read and write the block's bytes there, from `offset`). */
  chunk(handle: number): Buffer {
    const sizeClass = this.classes[handle % classCount]!;
    return sizeClass.chunks[Math.floor(Math.floor(handle / classCount) / sizeClass.blocksPerChunk)]!;
  }

  offset(handle: number): number {
    const sizeClass = this.classes[handle % classCount]!;
    return (Math.floor(handle / classCount) % sizeClass.blocksPerChunk) * sizeClass.blockSize;
  }

  private addChunk(sizeClass: SizeClass): void {
    const first = sizeClass.chunks.length * sizeClass.blocksPerChunk;
    sizeClass.chunks.push(Buffer.allocUnsafeSlow(sizeClass.blocksPerChunk * sizeClass.blockSize));
    this.reservedBytes += sizeClass.blocksPerChunk * sizeClass.blockSize;
    // Pushed highest first, so the lowest is used first.
    for (let n = sizeClass.blocksPerChunk - 1; n >= 0; n--) sizeClass.free.push(first + n);
  }
}
