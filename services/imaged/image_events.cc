// Image events (`berth events`), with Docker's attributes (LogImageEvent):
// the image's labels, then "name" — the new reference for a tag, the image
// id for the others, as Docker's daemon names them.
#include <map>
#include <string>

#include "services/imaged/image_store.h"

namespace berth::imaged {

void ImageStore::Emit(const std::string& id, const std::string& action,
                      const std::string& name) {
  std::map<std::string, std::string> attributes;
  // A deleted image's labels are gone with it, as in Docker.
  absl::StatusOr<image::v1::Image> image = index_.Get(id);
  if (image.ok()) {
    attributes.insert(image->config().labels().begin(),
                      image->config().labels().end());
  }
  attributes["name"] = name;
  events_.Emit(types::v1::OBJECT_TYPE_IMAGE, action, id, attributes);
}

}  // namespace berth::imaged
