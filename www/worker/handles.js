// Objects the compute worker holds for the page (playgrounds, image studios), named by
// numbers the page keeps: the page's objects are handles on them.

export class Handles {
  /** `what` names the objects in messages ("playground", "image studio"). */
  constructor(what) {
    this.what = what;
    this.objects = new Map();
    this.next = 1;
  }

  /** A new handle, for an object to be `set` (it may take a while to make). */
  reserve() {
    return this.next++;
  }

  set(handle, object) {
    this.objects.set(handle, object);
  }

  /** The object of `handle`, or an error that says why there is none. */
  get(handle) {
    const object = this.objects.get(handle);
    if (!object) throw new Error(`this ${this.what} was freed or belongs to a worker that stopped`);
    return object;
  }

  /** Frees the object of `handle` (the wasm object's memory with it), if it is still here. */
  free(handle) {
    this.objects.get(handle)?.free();
    this.objects.delete(handle);
  }
}
