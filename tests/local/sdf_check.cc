// Load an SDFormat file with libsdformat (the reference parser Gazebo uses), with warnings and
// unrecognised elements promoted to errors, and print what it understood as JSON on stdout:
// every link's pose resolved in the model frame and every joint's type, parent, child and axis.
// Exit status 1 (errors on stderr) if the parser rejects the file. Built by tests/local/conftest.
#include <iostream>
#include <sdf/sdf.hh>


int main(int argc, char **argv) {
  if (argc != 2) { std::cerr << "usage: sdf_check FILE.sdf\n"; return 2; }
  sdf::ParserConfig config;
  config.SetWarningsPolicy(sdf::EnforcementPolicy::ERR);
  config.SetUnrecognizedElementsPolicy(sdf::EnforcementPolicy::ERR);
  config.SetDeprecatedElementsPolicy(sdf::EnforcementPolicy::ERR);
  sdf::Root root;
  sdf::Errors errors = root.Load(argv[1], config);
  if (!errors.empty()) {
    for (const auto &e : errors) std::cerr << e << "\n";
    return 1;
  }
  const sdf::Model *model = root.Model();
  if (model == nullptr) { std::cerr << "no <model> in the file\n"; return 1; }
  std::cout.precision(10);
  std::cout << "{\"version\": \"" << root.Version() << "\", \"model\": \"" << model->Name() << "\", \"links\": {";
  for (uint64_t i = 0; i < model->LinkCount(); ++i) {
    const sdf::Link *link = model->LinkByIndex(i);
    ignition::math::Pose3d p;
    sdf::Errors e = link->SemanticPose().Resolve(p, "__model__");
    if (!e.empty()) { for (const auto &x : e) std::cerr << x << "\n"; return 1; }
    std::cout << (i ? ", " : "") << "\"" << link->Name() << "\": {\"xyz\": [" << p.Pos().X() << ", "
              << p.Pos().Y() << ", " << p.Pos().Z() << "], \"quat_wxyz\": [" << p.Rot().W() << ", "
              << p.Rot().X() << ", " << p.Rot().Y() << ", " << p.Rot().Z() << "], \"mass\": "
              << link->Inertial().MassMatrix().Mass() << ", \"visuals\": " << link->VisualCount()
              << ", \"collisions\": " << link->CollisionCount() << "}";
  }
  std::cout << "}, \"joints\": {";
  for (uint64_t i = 0; i < model->JointCount(); ++i) {
    const sdf::Joint *joint = model->JointByIndex(i);
    std::cout << (i ? ", " : "") << "\"" << joint->Name() << "\": {\"type\": " << static_cast<int>(joint->Type())
              << ", \"parent\": \"" << joint->ParentLinkName() << "\", \"child\": \"" << joint->ChildLinkName() << "\"";
    if (joint->Axis(0) != nullptr) {
      ignition::math::Vector3d axis;
      sdf::Errors e = joint->Axis(0)->ResolveXyz(axis, "__model__");
      if (!e.empty()) { for (const auto &x : e) std::cerr << x << "\n"; return 1; }
      std::cout << ", \"axis_model\": [" << axis.X() << ", " << axis.Y() << ", " << axis.Z() << "], \"lower\": "
                << joint->Axis(0)->Lower() << ", \"upper\": " << joint->Axis(0)->Upper();
    }
    std::cout << "}";
  }
  std::cout << "}}\n";
  return 0;
}
