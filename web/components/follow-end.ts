/**
 * Keeps a scrolled box's end in view as its content grows — unless the reader has scrolled
 * away from the end, to read something earlier.
 *
 * It measures at the next animation frame, never during a component's update: reading a
 * box's scroll height then forces a layout of the whole page in the middle of the page's
 * updates, which the components updated after it make stale again (some 10 ms on the lab's
 * page at a halt, spent before the halt can be drawn). At the frame, the layout it forces is
 * the one the frame needs anyway, and setting scrollTop dirties none.
 */
export class EndFollower {
  /** The box's scroll height at the last measure (px): where its end was before the new content. */
  private heightBefore = 0;
  private pending = false;

  /** `box` finds the scrolled box (it may be re-rendered), or null when there is none. */
  constructor(private readonly box: () => Element | null | undefined) {}

  /** Call after the box's content changed. */
  changed(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      const box = this.box();
      if (!box) return;
      if (box.scrollTop + box.clientHeight >= this.heightBefore - 4) box.scrollTop = box.scrollHeight;
      this.heightBefore = box.scrollHeight;
    });
  }
}
